/* Every load/store form: immediate, register and SP-relative offsets, literal loads, byte and
 * halfword sign/zero extension, LDM/STM write-back rules, PUSH/POP; results are folded into
 * checksums with the memory they wrote. */
#include "semihost.h"

static uint32_t buf[32];
static uint32_t h = 0x811C9DC5u;
static void fold(uint32_t v) { h = (h ^ v) * 0x01000193u + (h >> 7); }
static void fill(void) {
    for (int i = 0; i < 32; i++) buf[i] = 0x01020304u * (uint32_t)(i + 1) ^ 0x80F07F00u;
}
static void fold_buf(void) {
    for (int i = 0; i < 32; i++) fold(buf[i]);
}
static void report(const char *name) {
    fold_buf();
    show(name, h);
    h = 0x811C9DC5u;
}

#define LD_IMM(insn, off)                                                          \
    do {                                                                           \
        uint32_t r;                                                                \
        __asm__ volatile(insn " %0, [%1, #" #off "]" : "=l"(r) : "l"(buf) : "memory"); \
        fold(r);                                                                   \
    } while (0)
#define ST_IMM(insn, off, v)                                                         \
    __asm__ volatile(insn " %0, [%1, #" #off "]" ::"l"(v), "l"(buf) : "memory")

int main(void) {
    fill();
    /* immediate offsets, smallest and largest of each size */
    LD_IMM("ldr", 0); LD_IMM("ldr", 4); LD_IMM("ldr", 124);
    LD_IMM("ldrh", 0); LD_IMM("ldrh", 2); LD_IMM("ldrh", 62);
    LD_IMM("ldrb", 0); LD_IMM("ldrb", 1); LD_IMM("ldrb", 31);
    report("ldr_imm");
    ST_IMM("str", 0, 0xDEADBEEF); ST_IMM("str", 124, 0x12345678);
    ST_IMM("strh", 2, 0xFFFF8001); ST_IMM("strh", 62, 0x7FFE);
    ST_IMM("strb", 1, 0x1FF); ST_IMM("strb", 31, 0x80);
    report("str_imm");

    /* register offsets, with sign extension */
    fill();
    for (uint32_t off = 0; off < 16; off++) {
        uint32_t a, b, c, d, e;
        __asm__ volatile("ldrsb %0, [%3, %4]\n\t"
                         "ldrb %1, [%3, %4]\n\t"
                         "ldrsh %2, [%3, %5]\n\t"
                         : "=&l"(a), "=&l"(b), "=&l"(c)
                         : "l"(buf), "l"(off * 7), "l"(off * 6)
                         : "memory");
        __asm__ volatile("ldrh %0, [%2, %3]\n\t"
                         "ldr %1, [%2, %4]\n\t"
                         : "=&l"(d), "=&l"(e)
                         : "l"(buf), "l"(off * 6), "l"(off * 8)
                         : "memory");
        fold(a); fold(b); fold(c); fold(d); fold(e);
        __asm__ volatile("str %0, [%1, %2]\n\t"
                         "strh %0, [%1, %3]\n\t"
                         "strb %0, [%1, %4]\n\t"
                         ::"l"(e ^ 0x5A5A5A5A), "l"(buf), "l"(off * 4 + 64), "l"(off * 2 + 32), "l"(off * 3)
                         : "memory");
    }
    report("reg_offset");

    /* SP-relative, ADD SP, ADR and literal loads */
    {
        uint32_t a, b, c, d;
        __asm__ volatile("sub sp, #16\n\t"
                         "str %4, [sp, #0]\n\t"
                         "str %4, [sp, #12]\n\t"
                         "ldr %0, [sp, #12]\n\t"
                         "add %1, sp, #8\n\t"
                         "mov %2, sp\n\t"
                         "subs %1, %1, %2\n\t"
                         "add sp, #16\n\t"
                         "ldr %2, =0x13579BDF\n\t"
                         "adr %3, 1f\n\t"
                         "ldr %3, [%3]\n\t"
                         "b 2f\n\t"
                         ".align 2\n"
                         "1: .word 0x2468ACE0\n"
                         "2:\n\t"
                         : "=&l"(a), "=&l"(b), "=&l"(c), "=&l"(d)
                         : "l"(0xCAFEF00D)
                         : "memory");
        fold(a); fold(b); fold(c); fold(d);
        show("sp_rel", a);
        show("add_sp_imm", b);
        show("literal", c);
        show("adr_load", d);
    }
    report("sp_literal");

    /* LDM/STM: write-back unless the base is loaded; PUSH/POP of low registers and LR */
    fill();
    {
        uint32_t adv, sum;
        __asm__ volatile("mov r0, %2\n\t"
                         "ldm r0!, {r1, r2, r3}\n\t"
                         "subs r0, r0, %2\n\t"
                         "mov %0, r0\n\t"
                         "adds r1, r1, r2\n\t"
                         "eors r1, r3\n\t"
                         "mov %1, r1\n\t"
                         "mov r0, %2\n\t"
                         "adds r0, #32\n\t"
                         "stm r0!, {r1, r2, r3}\n\t"
                         : "=&l"(adv), "=&l"(sum) : "l"(buf) : "r0", "r1", "r2", "r3", "memory");
        show("ldm_wb_bytes", adv);
        show("ldm_sum", sum);
        /* base in the list: no write-back, the base gets the loaded word */
        uint32_t base;
        __asm__ volatile("mov r3, %1\n\t"
                         "ldm r3, {r1, r2, r3}\n\t"
                         "mov %0, r3\n\t"
                         : "=l"(base) : "l"(&buf[4]) : "r1", "r2", "r3", "memory");
        show("ldm_base_loaded", base);
        uint32_t sp0, sp1, x, y;
        __asm__ volatile("mov %0, sp\n\t"
                         "movs r4, #44\n\t"
                         "movs r5, #55\n\t"
                         "push {r4, r5, lr}\n\t"
                         "movs r4, #0\n\t"
                         "movs r5, #0\n\t"
                         "pop {r4, r5}\n\t"
                         "add sp, #4\n\t"
                         "mov %1, sp\n\t"
                         "mov %2, r4\n\t"
                         "mov %3, r5\n\t"
                         : "=&l"(sp0), "=&l"(sp1), "=&l"(x), "=&l"(y) : : "r4", "r5", "memory");
        show("push_pop_balanced", sp0 == sp1);
        show("pop_r4", x);
        show("pop_r5", y);
    }
    report("ldm_stm");
    sh_puts("mem done\n");
    return 0;
}
