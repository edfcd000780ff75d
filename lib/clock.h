/* clock.h - monotonic and wall-clock time for the tools that timestamp */
#ifndef LLMPIPE_CLOCK_H
#define LLMPIPE_CLOCK_H

#include <stdint.h>

/* clock_mono_us returns CLOCK_MONOTONIC in microseconds. */
int64_t clock_mono_us(void);

/* clock_wall_us returns CLOCK_REALTIME in microseconds since the epoch. */
int64_t clock_wall_us(void);

#endif
