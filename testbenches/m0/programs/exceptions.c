/* HardFault paths, each recovered by the handler (which fixes the stacked frame) and reported
 * from Thread mode: UDF, unaligned load/store and SVC escalation with PRIMASK:
 * the paths QEMU's microbit agrees on. The others are in faults.c (lock-step only). */
#include "semihost.h"

static volatile uint32_t faults;
static volatile uint32_t last_pc, last_xpsr, last_lr_kind, recover_to;
static volatile uint32_t fix; /* what the handler does: 0 skip a 16-bit instruction, 1 resume at recover_to with T set, 2 return to the stacked LR, 3 nothing */

void hardfault_entry(uint32_t *frame, uint32_t exc_return) {
    faults++;
    last_pc = frame[6];
    last_xpsr = frame[7];
    last_lr_kind = exc_return & 0xF;
    if (fix == 0) {
        frame[6] += 2;
    } else if (fix == 1) {
        frame[6] = recover_to & ~1u;
        frame[7] |= 1u << 24;
    } else if (fix == 2) {
        frame[6] = frame[5] & ~1u;
        frame[7] |= 1u << 24;
    }
}

__attribute__((naked)) void hardfault_handler(void) {
    __asm__ volatile(
        "movs r0, #4\n\t"
        "mov r1, lr\n\t"
        "tst r0, r1\n\t"
        "beq 1f\n\t"
        "mrs r0, psp\n\t"
        "b 2f\n"
        "1: mrs r0, msp\n"
        "2: push {lr}\n\t"
        "bl hardfault_entry\n\t"
        "pop {pc}\n\t");
}

static void report(const char *name, uint32_t expected_pc) {
    sh_puts(name);
    sh_puts(": faults ");
    print_dec((int32_t)faults);
    sh_puts(", stacked pc ");
    sh_puts(last_pc == expected_pc ? "as expected" : "WRONG");
    sh_puts(", exc_return ");
    print_hex(last_lr_kind);
    sh_puts(", ipsr ");
    print_dec((int32_t)(last_xpsr & 0x3F));
    sh_puts(", T ");
    print_dec((int32_t)((last_xpsr >> 24) & 1));
    sh_puts("\n");
    faults = 0;
}

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
