// DSR module.
