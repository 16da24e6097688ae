/* Semihosting calls and printing for the test programs. */
#include "semihost.h"

static uint32_t semihost(uint32_t op, const void *arg) {
    register uint32_t r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sh_puts(const char *s) { semihost(0x04, s); }

void sh_putc(char c) { semihost(0x03, &c); }

void print_hex(uint32_t v) {
    char b[11];
    b[0] = '0';
    b[1] = 'x';
    for (int i = 0; i < 8; i++) {
        uint32_t d = (v >> (28 - 4 * i)) & 0xF;
        b[2 + i] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    }
    b[10] = 0;
    sh_puts(b);
}

/* Without division: Cortex-M0 has no divide instruction and the programs link no runtime. */
void print_dec(int32_t v) {
    static const uint32_t pow10[] = {1000000000u, 100000000u, 10000000u, 1000000u, 100000u,
                                     10000u, 1000u, 100u, 10u, 1u};
    uint32_t u = v < 0 ? 0u - (uint32_t)v : (uint32_t)v;
    if (v < 0) sh_putc('-');
    int started = 0;
    for (int i = 0; i < 10; i++) {
        char d = '0';
        while (u >= pow10[i]) {
            u -= pow10[i];
            d++;
        }
        if (d != '0' || started || i == 9) {
            sh_putc(d);
            started = 1;
        }
    }
}

void show(const char *name, uint32_t v) {
    sh_puts(name);
    sh_puts(" = ");
    print_hex(v);
    sh_puts("\n");
}

void sh_exit(int ok) { semihost(0x18, (const void *)(ok ? 0x20026u : 1u)); }
