export { parseCreatePullPointSubscription, parsePullMessages, mapMessage, EventAnswerError, type CameraMessage, type MappedEvent, type Subscription } from './parse.ts';
export { TOPIC_RULES, ruleFor, topicSegments, type CameraEventKind, type TopicRule } from './topics.ts';
