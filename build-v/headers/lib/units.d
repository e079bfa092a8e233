build-v/headers/lib/units.o: build-v/headers/lib/units.c lib/units.h
lib/units.h:
