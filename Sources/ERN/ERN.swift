// ERN module.
