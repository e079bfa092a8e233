build-v/headers/store/checkpoint.o: build-v/headers/store/checkpoint.c \
 store/checkpoint.h
store/checkpoint.h:
