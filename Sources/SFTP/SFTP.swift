// SFTP module.
