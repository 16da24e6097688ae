/* HardFault paths, each recovered by the handler (which fixes the stacked frame) and reported
 * from Thread mode: UDF, unaligned load/store and SVC escalation with PRIMASK:
 * the paths QEMU's microbit agrees on. The others are in faults.c (lock-step only). */
#include "semihost.h"

#include "fault_handler.h"

static uint32_t buf[4] = {0x11223344, 0x55667788, 0x99AABBCC, 0xDDEEFF00};

int main(void) {
    uint32_t pc;

    fix = 0;
    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: udf #3\n\t"
                     : "=l"(pc));
    report("udf", pc);

    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: .short 0xde5a\n\t" /* UDF #0x5A as a raw halfword, twice */
                     ".short 0xde5a\n\t"
                     : "=l"(pc));
    /* both are skipped: two faults, the last at pc + 2 */
    report("udf_twice", pc + 2);

    uint32_t v = 0;
    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: ldr %1, [%2]\n\t"
                     : "=&l"(pc), "+l"(v)
                     : "l"((uint8_t *)buf + 1));
    report("unaligned_ldr", pc);
    show("unaligned_ldr_untouched", v);

    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: strh %1, [%2]\n\t"
                     : "=&l"(pc)
                     : "l"(0xABCD), "l"((uint8_t *)buf + 3)
                     : "memory");
    report("unaligned_strh", pc);
    show("buf0_untouched", buf[0]);

    __asm__ volatile("adr %0, 1f\n\t"
                     ".align 2\n"
                     "1: ldrh %1, [%2, #0]\n\t"
                     : "=&l"(pc), "+l"(v)
                     : "l"((uint8_t *)buf + 1));
    report("unaligned_ldrh", pc);

    /* SVC with PRIMASK set escalates; HardFault returns past the SVC */
    fix = 3; /* do not touch the frame */
    __asm__ volatile("cpsid i\n\t"
                     "adr %0, 1f\n\t"
                     ".align 2\n"
                     "nop\n\t"
                     "svc #1\n"
                     "1: cpsie i\n\t"
                     : "=l"(pc));
    report("svc_escalated", pc);

    sh_puts("exceptions done\n");
    return 0;
}
