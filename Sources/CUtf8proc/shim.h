#ifndef TESSERA_CUTF8PROC_SHIM_H
#define TESSERA_CUTF8PROC_SHIM_H
#include <utf8proc.h>
#endif
