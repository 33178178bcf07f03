// Intake module.
