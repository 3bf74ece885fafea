//! The Wasm Developer Guide's §4 example, as the guide writes it: `vector_add_gpu` embeds its PTX
//! with `include_bytes!`, loads it on every call (the host's PTX cache makes that free), packs
//! the typed argv and launches. `check_vector_add` is the one addition: a wrapper export taking a
//! JSON-representable `n` that allocates the inputs, calls `vector_add_gpu` and checks the output,
//! so the CLI can run it (`tensor-wasm run ... --invoke check_vector_add --args '[1000]'`).

#[link(wasm_import_module = "wasi:cuda/host@0.2.0")]
extern "C" {
    fn wasi_cuda_load_ptx(
        ptx_ptr: i32, ptx_len: i32,
        entry_ptr: i32, entry_len: i32,
    ) -> i64;
    fn wasi_cuda_launch(
        kernel_id: i64,
        grid_x: i32, grid_y: i32, grid_z: i32,
        block_x: i32, block_y: i32, block_z: i32,
        shared_mem: i32,
        args_ptr: i32, args_len: i32,
    ) -> i32;
    fn wasi_cuda_sync() -> i32;
    fn wasi_cuda_last_error_len() -> i32;
}

static PTX: &[u8] = include_bytes!("../kernels/vector_add.ptx");

#[no_mangle]
pub extern "C" fn vector_add_gpu(
    a: *const f32, b: *const f32, out: *mut f32, len: usize,
) -> i32 {
    let entry = b"vector_add\0";
    let kernel_id = unsafe {
        wasi_cuda_load_ptx(
            PTX.as_ptr() as i32, PTX.len() as i32,
            entry.as_ptr() as i32, (entry.len() - 1) as i32,
        )
    };
    if kernel_id < 0 { return -1; }

    // Pack arguments using the W1.1 typed-argv wire format: a flat
    // concatenation of `(tag, value)` records with no padding. Each
    // pointer arg is tagged 0x07 and carries a guest offset (u32) plus
    // a byte length (u32); the `len` scalar is a u32 tagged 0x05. All
    // values are little-endian. See CUDA-KERNELS.md §3.3 for the full
    // tag table.
    const TAG_U32: u8 = 0x05;
    const TAG_PTR: u8 = 0x07;
    let buf_bytes = (len * core::mem::size_of::<f32>()) as u32;
    let mut args: Vec<u8> = Vec::with_capacity(9 * 3 + 5);
    for ptr in [a as u32, b as u32, out as u32] {
        args.push(TAG_PTR);
        args.extend_from_slice(&ptr.to_le_bytes());
        args.extend_from_slice(&buf_bytes.to_le_bytes());
    }
    args.push(TAG_U32);
    args.extend_from_slice(&(len as u32).to_le_bytes());

    let block = 256i32;
    let grid = ((len as i32) + block - 1) / block;

    let rc = unsafe {
        wasi_cuda_launch(
            kernel_id,
            grid, 1, 1,
            block, 1, 1,
            0,
            args.as_ptr() as i32, args.len() as i32,
        )
    };
    if rc != 0 { return -2; }

    unsafe { wasi_cuda_sync() }
}

/// Runs `vector_add_gpu` on `n` elements and checks every output: 0 on success, the guide's -1
/// (load failed) / -2 (launch failed) / sync's code, or 1 + the first wrong index.
#[no_mangle]
pub extern "C" fn check_vector_add(n: i32) -> i32 {
    if n < 1 || n > (1 << 22) {
        return -100;
    }
    let len = n as usize;
    let a: Vec<f32> = (0..len).map(|i| i as f32 * 0.5).collect();
    let b: Vec<f32> = (0..len).map(|i| 1000.0 - i as f32).collect();
    let mut out: Vec<f32> = vec![-1.0; len];
    let rc = vector_add_gpu(a.as_ptr(), b.as_ptr(), out.as_mut_ptr(), len);
    if rc != 0 {
        return rc;
    }
    for i in 0..len {
        if out[i] != a[i] + b[i] {
            return 1 + i as i32;
        }
    }
    0
}

/// The length of the host's last error message (0 when nothing failed yet).
#[no_mangle]
pub extern "C" fn last_error_len() -> i32 {
    unsafe { wasi_cuda_last_error_len() }
}
