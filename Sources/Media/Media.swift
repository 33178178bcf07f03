// Media module.
