/**
 * The page the identity provider returns the task pane's sign-in to (/auth-redirect.html, MSAL v5's
 * redirect bridge): it hands the response to the pane that opened the popup and closes. The server
 * serves it without a Cross-Origin-Opener-Policy, which would cut it off from the pane.
 */
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch((err: unknown) => {
  document.body.textContent = `Sign-in could not be completed: ${(err as Error).message}. Close this window and sign in again from CloseDesk.`;
});
