// Lets the host allocate guest arrays: exports malloc/free through wasi-libc (see build.sh).
#include <stdlib.h>
__attribute__((export_name("alloc"))) void *alloc(int bytes) { return malloc((size_t)bytes); }
