// One type of event in the catalogue (`x-fieldline-events`, the webhook event picker).
export interface EventType {
  type: string;
  collection: string;
  description: string;
}
