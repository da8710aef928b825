import type { Cents } from '../kernel/money';

/** rvr_amount = min(amount, refund) when the refund is positive (and the amount too), else 0. */
export function rvrAmount(amount: Cents, refund: Cents): Cents {
  return refund > 0 && amount > 0 ? Math.min(amount, refund) : 0;
}
