// How a Discord channel is named as a destination. Kept apart from the client so the composition root can name
// destinations without loading the Discord libraries when no Discord is configured.
export const discordChannelDestination = (channelId: string) => `discord:${channelId}`;
export const DISCORD_CHANNEL_DESTINATION = /^discord:(\d{17,20})$/;
