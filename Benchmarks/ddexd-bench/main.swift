print("ddexd-bench")
