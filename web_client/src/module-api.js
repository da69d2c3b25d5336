// The self-paced module routes of the REST API (modules, units, quizzes, progress), on top of
// api.js's request(): same cookie, CSRF header and problem+json errors.

import { request } from "./api.js";

export const listModules = (courseId) => request("GET", `/courses/${courseId}/modules?limit=200`);
export const getModule = (moduleId) => request("GET", `/modules/${moduleId}`);
export const getModuleProgress = (moduleId) => request("GET", `/modules/${moduleId}/progress`);
export const getClassProgress = (moduleId) => request("GET", `/modules/${moduleId}/class-progress`);
export const markOpened = (unitId) => request("POST", `/units/${unitId}/opened`);
// The learner's view of a quiz: questions and options, never the answers.
export const getQuiz = (quizId) => request("GET", `/quizzes/${quizId}`);
// answers: [{ question, choices: [optionId, ...] } or { question, value }]
export const submitAttempt = (quizId, answers) =>
  request("POST", `/quizzes/${quizId}/attempts`, { answers });
