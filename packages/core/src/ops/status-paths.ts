/** Where the local platform serves the status (loopback only; these routes do not exist on AWS). */
export const STATUS_PAGE_PATH = "/status";
export const STATUS_JSON_PATH = "/status.json";
