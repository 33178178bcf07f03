#ifndef DDEXD_CLIBSSH2_SHIM_H
#define DDEXD_CLIBSSH2_SHIM_H
#include <libssh2.h>
#include <libssh2_sftp.h>

/* libssh2's function-like macros do not import into Swift; these wrappers stand in for the ones ddexd uses. */

static inline LIBSSH2_SESSION *ddexd_libssh2_session_init(void) {
    return libssh2_session_init_ex(NULL, NULL, NULL, NULL);
}

static inline int ddexd_libssh2_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

/* The session's last error code and message; the message stays owned by the session (copy it at once). */
static inline int ddexd_libssh2_last_error(LIBSSH2_SESSION *session, const char **message) {
    char *text = NULL;
    int length = 0;
    int code = libssh2_session_last_error(session, &text, &length, 0);
    *message = text;
    return code;
}

#endif
