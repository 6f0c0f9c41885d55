/*
 * thread_swtch(save, esp): the switch between two threads' ring-0 stacks.  Pushes the registers
 * the C calling convention says a callee keeps (EBP EBX ESI EDI), stores ESP in *save, loads
 * esp, pops the other thread's four and returns into it -- from the call to thread_swtch it
 * made when it last gave up the CPU (or into thread_entry, for a new thread: sched/thread.c
 * builds that first frame).  EFLAGS is each thread's own business (interrupts are off here).
 *
 *   esp -> EDI ESI EBX EBP return-address          (a thread's saved context, low to high)
 */
    .section .text
    .globl thread_swtch
thread_swtch:
    mov     4(%esp), %eax               /* save */
    mov     8(%esp), %edx               /* esp */
    push    %ebp
    push    %ebx
    push    %esi
    push    %edi
    mov     %esp, (%eax)
    mov     %edx, %esp
    pop     %edi
    pop     %esi
    pop     %ebx
    pop     %ebp
    ret
    .section .note.GNU-stack, "", @progbits
