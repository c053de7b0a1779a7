/** LinkedIn answered 2xx with a body that is not the documented shape: retrying will not fix it. */
export class LinkedInContractError extends Error {
  override name = 'LinkedInContractError';
}
