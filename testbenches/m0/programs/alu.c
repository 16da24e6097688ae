/* Every data-processing instruction over edge-case operands and all four incoming flag states:
 * each instruction's results and NZCV outputs are folded into a checksum that is printed. */
#include "semihost.h"

static const uint32_t vals[] = {0, 1, 2, 7, 31, 32, 33, 0xFF, 0x100, 0x7FFF, 0x8000, 0x7FFFFFFF,
                                0x80000000, 0x80000001, 0xFFFFFFFE, 0xFFFFFFFF, 0x12345678, 0xFEDC0080};
#define NV (sizeof vals / sizeof vals[0])
/* Incoming N Z C V states: the ops that read C (ADCS, SBCS, shifts by 0) see both values. */
static const uint32_t flags_in[] = {0x00000000, 0x20000000, 0xF0000000, 0x90000000};

static uint32_t fold(uint32_t h, uint32_t v) { return (h ^ v) * 0x01000193u + (h >> 7); }

/* r = a op b with incoming flags f; the APSR after is returned through *p. */
#define OP(fn, insn)                                                                         \
    static uint32_t fn(uint32_t a, uint32_t b, uint32_t f, uint32_t *p) {                   \
        uint32_t r = a, psr;                                                                  \
        __asm__ volatile("msr apsr_nzcvq, %[f]\n\t" insn "\n\tmrs %[p], apsr"                 \
                         : [r] "+l"(r), [p] "=&l"(psr)                                        \
                         : [b] "l"(b), [f] "l"(f)                                             \
                         : "cc");                                                             \
        *p = psr;                                                                             \
        return r;                                                                             \
    }

OP(op_adds, "adds %[r], %[r], %[b]")
OP(op_subs, "subs %[r], %[r], %[b]")
OP(op_adds3, "adds %[r], %[b], #7")
OP(op_subs3, "subs %[r], %[b], #5")
OP(op_adds8, "adds %[r], #200")
OP(op_subs8, "subs %[r], #255")
OP(op_movs, "movs %[r], #129")
OP(op_cmp8, "cmp %[r], #33")
OP(op_cmp, "cmp %[r], %[b]")
OP(op_cmn, "cmn %[r], %[b]")
OP(op_ands, "ands %[r], %[b]")
OP(op_eors, "eors %[r], %[b]")
OP(op_orrs, "orrs %[r], %[b]")
OP(op_bics, "bics %[r], %[b]")
OP(op_mvns, "mvns %[r], %[b]")
OP(op_muls, "muls %[r], %[b], %[r]")
OP(op_tst, "tst %[r], %[b]")
OP(op_lsls, "lsls %[r], %[b]")
OP(op_lsrs, "lsrs %[r], %[b]")
OP(op_asrs, "asrs %[r], %[b]")
OP(op_rors, "rors %[r], %[b]")
OP(op_lsls0, "lsls %[r], %[b], #0")
OP(op_lsls1, "lsls %[r], %[b], #1")
OP(op_lsls31, "lsls %[r], %[b], #31")
OP(op_lsrs1, "lsrs %[r], %[b], #1")
OP(op_lsrs32, "lsrs %[r], %[b], #32")
OP(op_asrs1, "asrs %[r], %[b], #1")
OP(op_asrs32, "asrs %[r], %[b], #32")
OP(op_adcs, "adcs %[r], %[b]")
OP(op_sbcs, "sbcs %[r], %[b]")
OP(op_rsbs, "rsbs %[r], %[b], #0")
OP(op_sxtb, "sxtb %[r], %[b]")
OP(op_sxth, "sxth %[r], %[b]")
OP(op_uxtb, "uxtb %[r], %[b]")
OP(op_uxth, "uxth %[r], %[b]")
OP(op_rev, "rev %[r], %[b]")
OP(op_rev16, "rev16 %[r], %[b]")
OP(op_revsh, "revsh %[r], %[b]")
OP(op_addhi, "mov r8, %[b]\n\tadd r8, %[r]\n\tmov %[r], r8")
OP(op_movhi, "mov r9, %[b]\n\tmov %[r], r9")
OP(op_cmphi, "mov r10, %[b]\n\tcmp %[r], r10")
OP(op_cmphi2, "mov r11, %[r]\n\tcmp r11, %[b]")
OP(op_addsp, "mov r12, sp\n\tmov sp, %[b]\n\tadd sp, #64\n\tmov %[r], sp\n\tmov sp, r12")

typedef uint32_t (*op_fn)(uint32_t, uint32_t, uint32_t, uint32_t *);
static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"adds", op_adds},     {"subs", op_subs},       {"adds3", op_adds3},   {"subs3", op_subs3},
    {"adds8", op_adds8},   {"subs8", op_subs8},     {"movs", op_movs},     {"cmp8", op_cmp8},
    {"cmp", op_cmp},       {"cmn", op_cmn},         {"ands", op_ands},     {"eors", op_eors},
    {"orrs", op_orrs},     {"bics", op_bics},       {"mvns", op_mvns},     {"muls", op_muls},
    {"tst", op_tst},       {"lsls", op_lsls},       {"lsrs", op_lsrs},     {"asrs", op_asrs},
    {"rors", op_rors},     {"lsls0", op_lsls0},     {"lsls1", op_lsls1},   {"lsls31", op_lsls31},
    {"lsrs1", op_lsrs1},   {"lsrs32", op_lsrs32},   {"asrs1", op_asrs1},   {"asrs32", op_asrs32},
    {"adcs", op_adcs},     {"sbcs", op_sbcs},       {"rsbs", op_rsbs},     {"sxtb", op_sxtb},
    {"sxth", op_sxth},     {"uxtb", op_uxtb},       {"uxth", op_uxth},     {"rev", op_rev},
    {"rev16", op_rev16},   {"revsh", op_revsh},     {"add_hi", op_addhi},  {"mov_hi", op_movhi},
    {"cmp_hi", op_cmphi},  {"cmp_hi2", op_cmphi2},  {"add_sp", op_addsp},
};

int main(void) {
    uint32_t all = 0;
    for (unsigned k = 0; k < sizeof ops / sizeof ops[0]; k++) {
        uint32_t h = 0x811C9DC5u, psr;
        /* flag outputs seen, as a 16-bit set of NZCV values */
        uint32_t seen = 0;
        for (unsigned i = 0; i < NV; i++)
            for (unsigned j = 0; j < NV; j++)
                for (unsigned f = 0; f < 4; f++) {
                    uint32_t r = ops[k].fn(vals[i], vals[j] & (k == 42 ? ~3u : ~0u), flags_in[f], &psr);
                    h = fold(fold(h, r), psr >> 28);
                    seen |= 1u << (psr >> 28);
                }
        sh_puts(ops[k].name);
        sh_puts(" ");
        print_hex(h);
        sh_puts(" flags seen ");
        print_hex(seen);
        sh_puts("\n");
        all = fold(all, h);
    }
    show("all", all);
    sh_puts("alu done\n");
    return 0;
}
