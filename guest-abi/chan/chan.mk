# gchan (guest-abi/chan/), the channels' message library: freestanding C with no libgoos or gort
# in it (memcpy, memset, snprintf and vsnprintf from lib/), so libgoos links it and gort can:
# add $(GCHAN_SRCS) to a guest's sources and $(GCHAN_INCLUDES) to its flags. gchan_dt.c, the
# parser of a channel's device-tree node both share, also needs libfdt (both have it; the host
# tests link Debian's -lfdt).

GCHAN_SRCS := $(wildcard guest-abi/chan/*.c)
GCHAN_HDRS := $(wildcard guest-abi/chan/*.h) guest-abi/goos.h
GCHAN_INCLUDES := -Iguest-abi -Iguest-abi/chan
