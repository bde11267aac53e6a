// hepkit-gpu-kernel: the synthetic job of `hepkit gpu-bench`.
//
//   hepkit-gpu-kernel BLOCKS REPEATS LAUNCHES   launches a dependent multiply-add kernel of
//       BLOCKS x 256 threads LAUNCHES times and prints the timed loop in seconds. BLOCKS sets
//       the fraction of the SMs it keeps busy (one block per SM at this size), REPEATS the
//       length of one launch.
//   hepkit-gpu-kernel alloc MEGABYTES           tries one cudaMalloc and prints CUDA's answer,
//       for the MPS pinned-memory limit (the CUDA context is created first, as in any job).
// It only uses the device; it never changes its settings.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

__global__ void fma_chain(float* data, int repeats) {
    const int i = blockIdx.x * blockDim.x + threadIdx.x;
    float x = data[i];
    for (int r = 0; r < repeats; ++r)
        x = x * 0.999999f + 0.25f; // each step depends on the last: latency-bound, low power per SM
    data[i] = x;
}

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "alloc") == 0) {
        cudaFree(nullptr); // create the context
        void* p = nullptr;
        const size_t bytes = static_cast<size_t>(std::atol(argv[2])) << 20;
        std::printf("alloc %sMB: %s\n", argv[2], cudaGetErrorString(cudaMalloc(&p, bytes)));
        return 0;
    }
    if (argc != 4) {
        std::fprintf(stderr, "usage: hepkit-gpu-kernel BLOCKS REPEATS LAUNCHES | alloc MEGABYTES\n");
        return 2;
    }
    const int blocks = std::atoi(argv[1]), repeats = std::atoi(argv[2]), launches = std::atoi(argv[3]);
    if (blocks < 1 || repeats < 1 || launches < 1) {
        std::fprintf(stderr, "hepkit-gpu-kernel: BLOCKS, REPEATS and LAUNCHES must be >= 1\n");
        return 2;
    }
    float* data = nullptr;
    if (cudaMalloc(&data, static_cast<size_t>(blocks) * 256 * sizeof(float)) != cudaSuccess) {
        std::fprintf(stderr, "hepkit-gpu-kernel: cudaMalloc failed\n");
        return 1;
    }
    cudaMemset(data, 0, static_cast<size_t>(blocks) * 256 * sizeof(float));
    fma_chain<<<blocks, 256>>>(data, repeats); // warm-up, not timed
    cudaDeviceSynchronize();
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < launches; ++i)
        fma_chain<<<blocks, 256>>>(data, repeats);
    const cudaError_t err = cudaDeviceSynchronize();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (err != cudaSuccess) {
        std::fprintf(stderr, "hepkit-gpu-kernel: %s\n", cudaGetErrorString(err));
        return 1;
    }
    std::printf("%.3f\n", s);
    cudaFree(data);
    return 0;
}
