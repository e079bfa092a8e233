build-v/headers/store/holds.o: build-v/headers/store/holds.c \
 store/holds.h
store/holds.h:
