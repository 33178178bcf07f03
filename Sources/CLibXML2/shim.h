#ifndef DDEXD_CLIBXML2_SHIM_H
#define DDEXD_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU; its ICU headers clash with Foundation's own
   ('UErrorCode' has different definitions). Nothing here needs libxml2's ICU API. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>
#endif
