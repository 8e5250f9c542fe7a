export { parseCreatePullPointSubscription, parsePullMessages, readSubscription, readPullMessages, type PulledMessages, mapMessage, EventAnswerError, type CameraMessage, type MappedEvent, type Subscription } from './parse.ts';
export { TOPIC_RULES, ruleFor, topicSegments, type CameraEventKind, type TopicRule } from './topics.ts';
export { PullPointSubscriber, type PullPointOptions, type PullPointStats } from './pullpoint.ts';
