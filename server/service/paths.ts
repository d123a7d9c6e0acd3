/** Where the API is mounted. */
export const API = '/api/v1';
