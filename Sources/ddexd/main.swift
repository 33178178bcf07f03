print("ddexd")
