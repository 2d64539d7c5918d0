// An API refusal as the analysis pages show it in alerts and dialogs: whatever was thrown, in the
// console's one wording of an error (pages/Status.tsx).
import { asError } from '../api';
import { problemText } from '../pages/Status';

export const errorText = (error: unknown): string => problemText(asError(error));
