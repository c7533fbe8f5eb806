/**
 * The JWT secret `npm start` uses when `JWT_SECRET` is unset. It is public:
 * set JWT_SECRET to your own value anywhere but a laptop.
 */
export const DEV_JWT_SECRET = 'gatehouse-dev-secret';
