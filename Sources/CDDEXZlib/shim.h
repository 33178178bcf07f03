#ifndef DDEXD_CZLIB_SHIM_H
#define DDEXD_CZLIB_SHIM_H
#include <zlib.h>
/* inflateInit2 is a macro that does not import into Swift. */
static inline int ddexd_inflate_init2(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}
#endif
