/* Every condition code under all 16 NZCV states (taken or not), B, BL, BLX, BX, and calls through
 * function pointers and returns through POP {pc}. */
#include "semihost.h"

#define COND(cc)                                                       \
    static uint32_t t_##cc(uint32_t f) {                               \
        uint32_t r;                                                    \
        __asm__ volatile("movs %0, #0\n\t"                             \
                         "msr apsr_nzcvq, %1\n\t"                      \
                         "b" #cc " 1f\n\t"                             \
                         "b 2f\n"                                      \
                         "1: movs %0, #1\n"                            \
                         "2:\n\t"                                      \
                         : "=&l"(r) : "l"(f) : "cc");                  \
        return r;                                                      \
    }
COND(eq) COND(ne) COND(cs) COND(cc) COND(mi) COND(pl) COND(vs) COND(vc)
COND(hi) COND(ls) COND(ge) COND(lt) COND(gt) COND(le)

typedef uint32_t (*cond_fn)(uint32_t);
static const struct {
    const char *name;
    cond_fn fn;
} conds[] = {{"eq", t_eq}, {"ne", t_ne}, {"cs", t_cs}, {"cc", t_cc}, {"mi", t_mi},
             {"pl", t_pl}, {"vs", t_vs}, {"vc", t_vc}, {"hi", t_hi}, {"ls", t_ls},
             {"ge", t_ge}, {"lt", t_lt}, {"gt", t_gt}, {"le", t_le}};

static uint32_t depth(uint32_t n) { return n == 0 ? 0 : 1 + depth(n - 1); }
static uint32_t twice(uint32_t x) { return 2 * x; }
static uint32_t thrice(uint32_t x) { return 3 * x; }

int main(void) {
    for (unsigned k = 0; k < sizeof conds / sizeof conds[0]; k++) {
        uint32_t taken = 0;
        for (uint32_t f = 0; f < 16; f++) taken |= conds[k].fn(f << 28) << f;
        sh_puts(conds[k].name);
        sh_puts(" taken for NZCV ");
        print_hex(taken);
        sh_puts("\n");
    }
    /* BLX through a register, BX LR returns, recursion with POP {pc} */
    uint32_t (*volatile fp)(uint32_t) = twice;
    show("blx_twice", fp(21));
    fp = thrice;
    show("blx_thrice", fp(21));
    show("recursion", depth(40));
    /* a long unconditional branch and a BL over padding */
    uint32_t r;
    __asm__ volatile("movs %0, #1\n\t"
                     "b 1f\n\t"
                     ".space 1500\n"
                     "1: adds %0, #1\n\t"
                     "bl 2f\n\t"
                     "b 3f\n\t"
                     ".space 1900\n"
                     "2: adds %0, #4\n\t"
                     "bx lr\n"
                     "3:\n\t"
                     : "=&l"(r) : : "lr", "cc");
    show("long_branches", r);
    sh_puts("branch done\n");
    return 0;
}
