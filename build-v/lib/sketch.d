build-v/lib/sketch.o: lib/sketch.c lib/sketch.h
lib/sketch.h:
