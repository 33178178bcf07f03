// XMLSupport module.
