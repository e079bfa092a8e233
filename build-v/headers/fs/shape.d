build-v/headers/fs/shape.o: build-v/headers/fs/shape.c fs/shape.h
fs/shape.h:
