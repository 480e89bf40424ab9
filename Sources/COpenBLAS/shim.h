#ifndef TESSERA_COPENBLAS_SHIM_H
#define TESSERA_COPENBLAS_SHIM_H
// Debian's libopenblas-dev puts cblas.h under an include folder that pkg-config (openblas.pc) names.
#include <cblas.h>
#endif
