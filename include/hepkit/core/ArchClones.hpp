#pragma once
/// @file
/// Whether a function can be compiled for several x86-64 levels and the best one picked when the
/// program loads (`__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))`):
/// GCC 12 or later (the `arch=` names in target_clones, GCC PR 101696) on ELF with glibc (the
/// clones are chosen through an ifunc). Elsewhere the plain function is compiled (the Debian
/// baseline, SSE2). Used by the tight loops over columns that vectorise.

#include <cstdint> // glibc's <stdint.h> brings <features.h>, which defines __GLIBC__

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__ELF__) && \
    defined(__GLIBC__)
#define HEPKIT_ARCH_CLONES 1
#else
#define HEPKIT_ARCH_CLONES 0
#endif
