/* Compiled C: an insertion sort, CRC-32, a 64-bit multiply-accumulate and a tiny bignum, all printed. */
#include "semihost.h"

static uint32_t crc32(const uint8_t *p, uint32_t n) {
    uint32_t c = 0xFFFFFFFFu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint32_t lcg(uint32_t *s) { return *s = *s * 1664525u + 1013904223u; }

int main(void) {
    static uint32_t a[64];
    static int16_t h[32];
    static uint8_t bytes[256];
    uint32_t s = 12345;
    for (int i = 0; i < 64; i++) a[i] = lcg(&s);
    for (int i = 1; i < 64; i++) {
        uint32_t v = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
    uint32_t sorted = 1;
    for (int i = 1; i < 64; i++) sorted &= a[i - 1] <= a[i];
    show("sorted", sorted);
    show("min", a[0]);
    show("max", a[63]);
    for (int i = 0; i < 32; i++) h[i] = (int16_t)lcg(&s);
    int32_t acc = 0;
    for (int i = 0; i < 32; i++) acc += h[i] * (i - 16);
    show("signed_mac", (uint32_t)acc);
    for (int i = 0; i < 256; i++) bytes[i] = (uint8_t)(i * 7 + 3);
    show("crc32", crc32(bytes, 256));
    show("crc32_abc", crc32((const uint8_t *)"abc", 3));
    /* 128-bit product of two 64-bit numbers from 32-bit halves */
    uint64_t x = 0x0123456789ABCDEFull, y = 0xFEDCBA9876543210ull;
    uint64_t lo = (uint64_t)(uint32_t)x * (uint32_t)y;
    uint64_t m1 = (x >> 32) * (uint32_t)y, m2 = (uint64_t)(uint32_t)x * (y >> 32);
    uint64_t hi = (x >> 32) * (y >> 32);
    uint64_t mid = (lo >> 32) + (uint32_t)m1 + (uint32_t)m2;
    show("p0", (uint32_t)lo);
    show("p1", (uint32_t)mid);
    show("p2", (uint32_t)(hi + (m1 >> 32) + (m2 >> 32) + (mid >> 32)));
    show("p3", (uint32_t)((hi + (m1 >> 32) + (m2 >> 32) + (mid >> 32)) >> 32));
    sh_puts("dec ");
    print_dec(-123456789);
    sh_puts(" ");
    print_dec(0);
    sh_puts(" ");
    print_dec(2147483647);
    sh_puts("\nc_sort_crc done\n");
    return 0;
}
