build-v/headers/store/space.o: build-v/headers/store/space.c \
 store/space.h
store/space.h:
