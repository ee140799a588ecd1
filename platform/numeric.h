/*
 * Reading numbers in the C locale. Manifests and traces write "4.004"
 * whatever locale the host application runs in, but strtod follows the
 * thread's LC_NUMERIC. A parser enters a C-numeric scope once around its
 * whole pass (thread-local, via uselocale), so every strtod inside reads '.'
 * and nothing else in the process is affected.
 */
#ifndef SV_PLATFORM_NUMERIC_H
#define SV_PLATFORM_NUMERIC_H

#include <locale.h>

typedef struct sv__c_numeric {
    locale_t c, old;
} sv__c_numeric;

/* Switches the calling thread to C numeric conventions. If the locale cannot
 * be made (out of memory), the thread keeps its own; numbers then parse as
 * they would have without the scope. */
void sv__c_numeric_enter(sv__c_numeric *scope);
/* Restores the thread's previous locale. */
void sv__c_numeric_leave(sv__c_numeric *scope);

#endif
