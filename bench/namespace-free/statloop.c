#include <stdlib.h>
#include <sys/stat.h>
int main(int c, char** v) { int n = atoi(v[1]); struct stat st; for (int i = 0; i < n; i++) stat(v[2], &st); return 0; }
