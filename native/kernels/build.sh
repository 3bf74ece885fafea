#!/usr/bin/env bash
# Rebuilds test-kernels.ptx (sm_75) from test-kernels.cu. Needs nvcc (CUDA 13).
# nvcc 13 stamps `.version 9.0`, which only CUDA 13 drivers can JIT; these kernels use nothing
# newer than PTX ISA 7.0, so the stamp is lowered to 7.0 (CUDA 11.0 drivers on) and ptxas checks
# that the result is still valid PTX 7.0.
set -euo pipefail
cd "$(dirname "$0")"
nvcc -ptx -O3 -arch=sm_75 test-kernels.cu -o test-kernels.ptx
sed -i 's/^\.version 9\.0$/.version 7.0/' test-kernels.ptx
grep -q '^\.version 7\.0$' test-kernels.ptx
ptxas -arch=sm_75 test-kernels.ptx -o /dev/null
