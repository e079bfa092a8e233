build-v/lib/stats.o: lib/stats.c lib/stats.h lib/sketch.h lib/array.h
lib/stats.h:
lib/sketch.h:
lib/array.h:
