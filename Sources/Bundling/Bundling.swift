// Bundling module.
