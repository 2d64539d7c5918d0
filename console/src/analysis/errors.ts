// An API refusal as the analysis pages show it in alerts and dialogs.
import { ApiError } from '../api';

export const errorText = (error: unknown): string =>
  error instanceof ApiError
    ? `${error.status} ${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
