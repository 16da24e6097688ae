/* Printing and exit for the test programs, through Arm semihosting (BKPT 0xAB). */
#ifndef SEMIHOST_H
#define SEMIHOST_H
#include <stdint.h>

void sh_puts(const char *s);
void sh_putc(char c);
void print_hex(uint32_t v);
void print_dec(int32_t v);
/* "name = 0x........\n" */
void show(const char *name, uint32_t v);
void sh_exit(int ok);

#define REG32(a) (*(volatile uint32_t *)(a))
#endif
