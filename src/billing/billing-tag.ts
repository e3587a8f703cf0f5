// The reference's group of the billing module's operations.
export const BILLING_TAG = 'Billing';
