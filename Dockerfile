# The app image for docker-compose (production): API + dashboard, `iop serve`.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production IOP_HOST=0.0.0.0 IOP_PORT=8080
COPY package.json package-lock.json ./
RUN npm ci --include=dev --no-audit --no-fund
COPY . .
RUN npx vite build --config dashboard/vite.config.ts
USER node
EXPOSE 8080
CMD ["npx", "tsx", "bin/iop.ts", "serve"]
