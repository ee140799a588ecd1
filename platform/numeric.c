#include "numeric.h"

void sv__c_numeric_enter(sv__c_numeric *scope)
{
    scope->c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    scope->old = scope->c ? uselocale(scope->c) : (locale_t)0;
}

void sv__c_numeric_leave(sv__c_numeric *scope)
{
    if (scope->c) {
        uselocale(scope->old);
        freelocale(scope->c);
        scope->c = (locale_t)0;
    }
}
