/* The recovering HardFault handler and the report both fault programs (exceptions.c, faults.c)
 * use; included once by each, so the definitions are their own. */
#ifndef FAULT_HANDLER_H
#define FAULT_HANDLER_H
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
#endif
